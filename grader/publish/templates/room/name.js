// The grader's name, kept in this browser and sent with every score they save.
(function () {
  var field = document.getElementById("grader-name");
  field.value = localStorage.getItem("grader-name") || "";
  field.addEventListener("change", function () { localStorage.setItem("grader-name", field.value.trim()); });
})();
