// Starts Swagger UI on /docs against the server's own OpenAPI document.
// Kept out of index.html so the page works under a CSP without 'unsafe-inline' scripts.
/* global SwaggerUIBundle */
window.ui = SwaggerUIBundle({
  url: '/api/v1/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  // Never send the document to validator.swagger.io (everything stays on this server).
  validatorUrl: null,
  // BaseLayout needs no swagger-ui-standalone-preset.js (no top bar / URL box).
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
