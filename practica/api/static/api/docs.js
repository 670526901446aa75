// Swagger UI (shipped by django-ninja, served from our static files) for trying requests.
// The session's writes carry the CSRF token; token requests use "Authorize".
(function () {
  var mount = document.getElementById("swagger-ui");
  if (!mount || typeof SwaggerUIBundle === "undefined") return;
  var config = JSON.parse(document.getElementById("swagger-settings").textContent);
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis];
  config.requestInterceptor = function (req) {
    if (mount.dataset.csrfToken) req.headers["X-CSRFToken"] = mount.dataset.csrfToken;
    return req;
  };
  SwaggerUIBundle(config);
})();
