// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("felsammanfattning");
  if (summary) { summary.focus(); }
});
