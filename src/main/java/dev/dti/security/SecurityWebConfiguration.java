package dev.dti.security;

import java.util.List;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

@Configuration(proxyBeanMethods = false)
class SecurityWebConfiguration implements WebMvcConfigurer {

  static {
    // Resolved from the API key by the security filter, not sent by clients: no OpenAPI parameter.
    SpringDocUtils.getConfig().addRequestWrapperToIgnore(Tenant.class);
  }

  @Override
  public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
    resolvers.add(new TenantArgumentResolver());
  }
}
