// Schakel: a button with data-afdrukken opens the browser's print dialog (print or save as PDF).
"use strict";
document.addEventListener("click", function (event) {
  var target = event.target;
  if (target instanceof Element && target.closest("[data-afdrukken]")) window.print();
});
