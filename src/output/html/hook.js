// Runs first: records any uncaught error, rejected promise, console.error,
// failed resource or Content-Security-Policy violation on <html>, so a
// headless browser's DOM dump shows whether the page ran cleanly.
(function () {
  var root = document.documentElement, count = 0;
  function record(message) {
    count += 1;
    root.setAttribute('data-js-errors', String(count));
    root.setAttribute('data-js-error-log', (root.getAttribute('data-js-error-log') || '') + message + '\n');
  }
  window.addEventListener('error', function (e) {
    var what = e.message || (e.target && e.target.tagName ? 'failed to load ' + e.target.tagName : 'unknown error');
    record('error: ' + what);
  }, true);
  window.addEventListener('unhandledrejection', function (e) { record('unhandled rejection: ' + e.reason); });
  document.addEventListener('securitypolicyviolation', function (e) {
    record('blocked by the content security policy: ' + e.violatedDirective + ' ' + e.blockedURI);
  });
  var original = console.error;
  console.error = function () {
    record('console.error: ' + Array.prototype.join.call(arguments, ' '));
    return original.apply(console, arguments);
  };
})();
