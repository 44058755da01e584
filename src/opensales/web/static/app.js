// opensales web app: htmx carries the session's CSRF token and shows errors in #flash.
document.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector('meta[name="csrf-token"]');
  if (token) event.detail.headers["X-CSRF-Token"] = token.content;
});
document.addEventListener("DOMContentLoaded", () => {
  // Errors (4xx) are pages for people too: swap them (the server retargets to #flash).
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "[45]..", swap: true, error: true },
  ];
});
document.addEventListener("htmx:beforeRequest", () => {
  const flash = document.getElementById("flash");
  if (flash) flash.innerHTML = "";
});
// The header's search results close when focus or a click goes elsewhere.
document.addEventListener("click", (event) => {
  const results = document.getElementById("search-results");
  if (results && !event.target.closest("form.search")) results.innerHTML = "";
});
