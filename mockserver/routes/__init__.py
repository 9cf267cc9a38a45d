"""Thin Flask views, one blueprint per Camunda resource group."""
