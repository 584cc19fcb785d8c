// 选择单位: a search result's 选择 button fills the form's hidden unit fields.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-pick-unit]");
  if (!button) return;
  document.getElementById("unit_id").value = button.dataset.pickUnit;
  document.getElementById("unit_name").value = button.dataset.unitName;
  var picked = document.getElementById("unit-picked");
  picked.textContent = "已选择：";
  var strong = document.createElement("strong");
  strong.textContent = button.dataset.unitName;
  picked.appendChild(strong);
  document.getElementById("unit-results").innerHTML = "";
  var note = document.getElementById("note");
  if (note) note.focus();
});
