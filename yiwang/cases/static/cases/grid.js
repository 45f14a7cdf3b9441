// The grid worker's report: "Use my current location" fills latitude and longitude from the browser's
// geolocation. Without JavaScript (or without a location) the button stays hidden and the fields are typed.
(function () {
  "use strict";
  function ready() {
    var button = document.getElementById("locate");
    var status = document.getElementById("locate-status");
    var latitude = document.getElementById("id_latitude");
    var longitude = document.getElementById("id_longitude");
    if (!button || !latitude || !longitude || !("geolocation" in navigator)) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = button.getAttribute("data-locating") || "…";
      navigator.geolocation.getCurrentPosition(
        function (position) {
          latitude.value = position.coords.latitude.toFixed(6);
          longitude.value = position.coords.longitude.toFixed(6);
          status.textContent = button.getAttribute("data-located") || "✓";
        },
        function () {
          status.textContent = button.getAttribute("data-failed") || "✗";
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
