"""Camunda 7 CE from Maven Central, built and run by :mod:`engines.camunda7.launcher`."""
