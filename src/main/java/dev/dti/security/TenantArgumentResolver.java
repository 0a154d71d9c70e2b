package dev.dti.security;

import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

/** Gives controllers the {@link Tenant} that {@link ApiKeyAuthenticationFilter} authenticated. */
class TenantArgumentResolver implements HandlerMethodArgumentResolver {

  @Override
  public boolean supportsParameter(MethodParameter parameter) {
    return parameter.getParameterType().equals(Tenant.class);
  }

  @Override
  public Tenant resolveArgument(
      MethodParameter parameter,
      ModelAndViewContainer mavContainer,
      NativeWebRequest webRequest,
      WebDataBinderFactory binderFactory) {
    Object tenant =
        webRequest.getAttribute(
            ApiKeyAuthenticationFilter.TENANT_ATTRIBUTE, RequestAttributes.SCOPE_REQUEST);
    if (tenant == null) {
      // Only reachable if a controller outside /v1/ asks for a tenant: a programming error.
      throw new IllegalStateException("No authenticated tenant for " + parameter.getMethod());
    }
    return (Tenant) tenant;
  }
}
