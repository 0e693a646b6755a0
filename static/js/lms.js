// Small improvements where scripts run. Every page works without this file: the server checks and
// says everything again.
(function () {
  "use strict";

  // A quiz's time left, counted down from the seconds the server gave when it sent the page. Counted on
  // this device's monotonic clock, so a wrong clock on the device changes nothing.
  function clockText(seconds) {
    var hours = Math.floor(seconds / 3600), minutes = Math.floor(seconds / 60) % 60, rest = seconds % 60;
    var mmss = String(minutes).padStart(hours ? 2 : 1, "0") + ":" + String(rest).padStart(2, "0");
    return hours ? hours + ":" + mmss : mmss;
  }

  document.querySelectorAll("[data-seconds-left]").forEach(function (box) {
    var end = performance.now() + Number(box.dataset.secondsLeft) * 1000;
    var timer = box.querySelector("[role=timer]"), news = box.querySelector("[role=status]");
    var warned = {};
    box.querySelectorAll(".without-script").forEach(function (hint) { hint.hidden = true; });
    timer.hidden = false;
    (function tick() {
      var left = Math.max(0, Math.ceil((end - performance.now()) / 1000));
      timer.textContent = left ? box.dataset.leftText.replace("{time}", clockText(left)) : box.dataset.upText;
      [300, 60, 0].forEach(function (mark) {  // said aloud at a few moments, not every second
        if (left <= mark && !warned[mark]) {
          warned[mark] = true;
          if (Number(box.dataset.secondsLeft) > mark) news.textContent = timer.textContent;
        }
      });
      if (left) setTimeout(tick, 500);
    })();
  });

  // A file over the limit is refused here, before its megabytes cross a slow link.
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    var message = document.createElement("p");
    message.className = "error";
    message.setAttribute("role", "alert");
    input.after(message);
    input.addEventListener("change", function () {
      var tooLarge = Array.prototype.filter.call(input.files, function (file) {
        return file.size > Number(input.dataset.maxBytes);
      }).map(function (file) { return file.name; });
      var tooMany = input.files.length > Number(input.dataset.maxFiles);
      message.textContent = tooLarge.length ? input.dataset.tooLarge.replace("{names}", tooLarge.join(", "))
        : tooMany ? input.dataset.tooMany : "";
      if (message.textContent) input.value = "";  // nothing refused is sent
    });
  });
})();
