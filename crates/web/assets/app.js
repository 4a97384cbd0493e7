// Progressive help only: the pages work without it.
document.addEventListener('submit', function (e) {
  var msg = e.target.getAttribute('data-confirm');
  if (msg && !window.confirm(msg)) { e.preventDefault(); return; }
  // a second tap on a slow connection must not send the form twice
  var b = e.target.querySelector('button[type=submit]');
  if (b) { setTimeout(function () { b.disabled = true; }, 0); }
});
