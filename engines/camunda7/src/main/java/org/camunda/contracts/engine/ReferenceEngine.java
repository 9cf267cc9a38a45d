package org.camunda.contracts.engine;

import jakarta.servlet.Filter;
import org.camunda.bpm.engine.rest.security.auth.ProcessEngineAuthenticationFilter;
import org.camunda.bpm.engine.rest.security.auth.impl.HttpBasicAuthenticationProvider;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;

/**
 * A Camunda 7 engine with its REST API under /engine-rest, for the conformance suite to
 * check the mock against. HTTP Basic auth is registered the way Camunda Run registers it,
 * and only when {@code reference-engine.auth=true}.
 */
@SpringBootApplication
public class ReferenceEngine {

  public static void main(String[] args) {
    SpringApplication.run(ReferenceEngine.class, args);
  }

  /** Camunda Run's "camunda-auth" filter: HTTP Basic against the engine's users. */
  @Bean
  @ConditionalOnProperty(name = "reference-engine.auth", havingValue = "true")
  public FilterRegistrationBean<Filter> processEngineAuthenticationFilter() {
    FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>();
    registration.setName("camunda-auth");
    registration.setFilter(new ProcessEngineAuthenticationFilter());
    registration.addInitParameter(
        "authentication-provider", HttpBasicAuthenticationProvider.class.getName());
    registration.addUrlPatterns("/engine-rest/*");
    registration.setOrder(1);
    return registration;
  }
}
