// The disbursement form's preview: the fund's rules, the balances and what the beneficiary
// already received, fetched from the server as the form changes. Without scripts the
// "Check against the fund's rules" button does the same with a round trip.
(function () {
  "use strict";
  var form = document.getElementById("spend-form");
  var target = document.getElementById("spend-preview");
  if (!form || !target) { return; }
  var timer = null;
  var seq = 0;
  function refresh() {
    var params = new URLSearchParams();
    ["fund", "kind", "beneficiary_id", "paid_from", "amount", "paid_on"].forEach(function (name) {
      var field = form.elements.namedItem(name);
      if (field) { params.set(name, field.value); }
    });
    var mine = ++seq;
    fetch(form.dataset.preview + "?" + params.toString(), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html !== null && mine === seq) {
          target.innerHTML = html;
          target.setAttribute("data-loaded", String(mine));
        }
      });
  }
  form.addEventListener("change", refresh);
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
})();
