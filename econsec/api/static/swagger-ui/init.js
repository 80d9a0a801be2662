// Starts Swagger UI on /docs. A separate file (not an inline script) so the page works under a
// Content-Security-Policy without 'unsafe-inline'; validatorUrl null keeps it off the network.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: document.body.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    validatorUrl: null,
    deepLinking: true,
  });
});
