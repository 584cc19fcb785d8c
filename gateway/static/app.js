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

// A thumbnail that cannot be shown gives way to its text (no inline handlers: the CSP forbids them).
document.addEventListener("error", function (event) {
  var image = event.target;
  if (image.tagName === "IMG" && image.dataset.fallback) image.replaceWith(document.createTextNode(image.dataset.fallback));
}, true);

// After an htmx upload, the file input is emptied for the next one.
document.addEventListener("htmx:afterRequest", function (event) {
  var input = event.target;
  if (input.matches && input.matches("[data-clear-after-upload]")) input.value = "";
});

// 选择文件: the chosen file's name (or 未选择文件) beside the Chinese button of a .file-control.
function zcShowChosen(input) {
  var shown = input.closest(".file-control") && input.closest(".file-control").querySelector(".file-chosen");
  if (!shown) return;
  var names = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
  shown.textContent = names.length ? names.join("，") : "未选择文件";
}
document.addEventListener("change", function (event) {
  if (event.target.matches && event.target.matches(".file-control input[type=file]")) zcShowChosen(event.target);
});
document.addEventListener("reset", function (event) {
  setTimeout(function () {
    event.target.querySelectorAll(".file-control input[type=file]").forEach(zcShowChosen);
  });
});
