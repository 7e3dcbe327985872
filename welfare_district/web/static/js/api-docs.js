/* Starts Swagger UI on the /docs page over this server's own OpenAPI description. */
(function () {
  "use strict";
  var root = document.getElementById("api-docs");
  if (!root || !window.SwaggerUIBundle) {
    return;
  }
  window.SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    domNode: root,
    deepLinking: true,
    // the default asks an online validator for a badge: nothing may leave this server
    validatorUrl: null,
    tryItOutEnabled: false,
    defaultModelsExpandDepth: 0
  });
  root.setAttribute("data-rendered", "true");
})();
