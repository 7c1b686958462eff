// The lägesbild's map (progressive enhancement: without this file, or without tiles, the page
// shows the same places on its SVG plot). Leaflet is served from /static/leaflet/; the data
// come from the map element's data- attributes, so the page needs no inline script.
// One marker per place, its number the place's observations of the ticked categories.
document.addEventListener("DOMContentLoaded", function () {
  var element = document.getElementById("karta");
  if (!element || typeof L === "undefined") { return; }
  var places = JSON.parse(element.dataset.places || "[]");
  if (!places.length) { return; }
  element.hidden = false;
  element.setAttribute("role", "region");
  element.setAttribute("aria-label", element.dataset.label);

  var map = L.map(element, { scrollWheelZoom: false });
  var credit = document.createElement(element.dataset.attributionUrl ? "a" : "span");
  credit.textContent = element.dataset.attribution;
  if (element.dataset.attributionUrl) { credit.href = element.dataset.attributionUrl; }
  L.tileLayer(element.dataset.tiles, {
    maxZoom: 19,
    attribution: credit.outerHTML,
    referrerPolicy: "strict-origin-when-cross-origin"  // tile servers ask for a Referer
  }).addTo(map);
  map.fitBounds(places.map(function (p) { return [p.lat, p.lon]; }), { padding: [24, 24], maxZoom: 16 });

  var layer = L.layerGroup().addTo(map);
  var boxes = document.querySelectorAll("#kategorifilter input[name=kategori]");

  function chosen() {
    var ticked = {};
    boxes.forEach(function (box) { if (box.checked) { ticked[box.value] = true; } });
    return ticked;
  }

  function countOf(place, ticked) {
    var n = 0;
    Object.keys(place.by_category).forEach(function (c) { if (ticked[c]) { n += place.by_category[c]; } });
    return boxes.length ? n : place.count;
  }

  function describe(place, n) {
    var words = n === 1 ? element.dataset.one : element.dataset.many;
    return place.name + (place.area ? " (" + place.area + ")" : "") + ", " + place.unit + ": " + n + " " + words;
  }

  function draw() {
    layer.clearLayers();
    var ticked = chosen();
    var counts = places.map(function (p) { return countOf(p, ticked); });
    var most = Math.max.apply(null, counts.concat([1]));
    places.forEach(function (place, i) {
      var n = counts[i];
      if (!n) { return; }
      var size = Math.round(26 + 18 * Math.sqrt(n / most));
      var number = document.createElement("span");
      number.textContent = String(n);
      var marker = L.marker([place.lat, place.lon], {
        icon: L.divIcon({ className: "map-count", html: number.outerHTML, iconSize: [size, size] }),
        keyboard: true
      });
      var text = document.createElement("p");
      text.textContent = describe(place, n);
      marker.bindPopup(text);
      marker.addTo(layer);
      marker.getElement().setAttribute("aria-label", describe(place, n));
    });
  }

  boxes.forEach(function (box) { box.addEventListener("change", draw); });
  draw();
});
