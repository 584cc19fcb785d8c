// The plan pages. The plan form's repeatable rows (职称, 评审环节, 条件组 and their 申报类别, 年限要求): a row is
// added from the <template> of its container, with the template's placeholder replaced by a
// fresh index (nested templates keep their own placeholder); 删除 removes the row. The
// server reads rows by index, gaps included.
document.addEventListener("click", function (event) {
  var add = event.target.closest("[data-add-row]");
  if (add) {
    var box = document.getElementById(add.dataset.addRow);
    var template = box.querySelector(":scope > template");
    var index = Number(box.dataset.next || 0);
    box.dataset.next = index + 1;
    var html = template.innerHTML.split(template.dataset.placeholder).join(String(index));
    template.insertAdjacentHTML("beforebegin", html);
    var first = template.previousElementSibling.querySelector("input[type=text], select");
    if (first) first.focus();
    return;
  }
  var remove = event.target.closest("[data-remove-row]");
  if (remove) remove.closest("[data-row]").remove();
});

// Forms that change a plan for good ask first (发布, 结束, 删除).
document.addEventListener("submit", function (event) {
  var message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
