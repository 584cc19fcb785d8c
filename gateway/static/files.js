// 附件: the viewer's zoom (点击图片可以放大或缩小; 放大/缩小/适应窗口), and the file picker's
// 选择/移除 (chosen files are hidden inputs inside the enclosing form). Safe to load twice.
(function () {
  if (window.zcFiles) return;
  window.zcFiles = true;

  // Zoom steps relative to "fits the window"; clicking the image steps up, then back to fit.
  var STEPS = [1, 1.5, 2, 3, 4];

  // The scale at which the image fits the stage's width (never enlarged beyond its own size);
  // measured once, so that scroll bars appearing while zoomed do not change the steps.
  function fitScale(image) {
    var stage = image.parentElement;
    var style = getComputedStyle(stage);
    var width = stage.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return Math.min(1, width / image.naturalWidth);
  }

  function zoom(image, step, refit) {
    var index = Math.max(0, Math.min(STEPS.length - 1, step));
    if (refit || !image.dataset.fit) image.dataset.fit = fitScale(image);
    var scale = Number(image.dataset.fit) * STEPS[index];
    image.dataset.step = index;
    image.style.width = Math.round(image.naturalWidth * scale) + "px";
    image.classList.toggle("zoomed", index > 0);
    image.classList.toggle("zoom-max", index === STEPS.length - 1);
    var level = document.getElementById("zoom-level");
    if (level) level.textContent = Math.round(scale * 100) + "%";
  }

  function viewerImage() {
    return document.getElementById("viewer-image");
  }

  document.addEventListener("click", function (event) {
    var image = event.target.closest("[data-zoomable]");
    if (image) {
      var step = Number(image.dataset.step || 0);
      zoom(image, step >= STEPS.length - 1 ? 0 : step + 1);
      return;
    }
    var button = event.target.closest("[data-zoom]");
    if (button && viewerImage()) {
      var current = Number(viewerImage().dataset.step || 0);
      var action = button.dataset.zoom;
      zoom(viewerImage(), action === "in" ? current + 1 : action === "out" ? current - 1 : 0);
      return;
    }
    var pick = event.target.closest("[data-pick-file]");
    if (pick) {
      var chosen = document.getElementById(pick.dataset.picker + "-chosen");
      var already = chosen.querySelector('input[value="' + pick.dataset.pickFile + '"]');
      if (!already) chosen.appendChild(pick.parentElement.querySelector("template").content.cloneNode(true));
      pick.disabled = true;
      pick.textContent = "已选择";
      return;
    }
    var unpick = event.target.closest("[data-unpick]");
    if (unpick) {
      var item = unpick.closest(".picked-file");
      var picker = unpick.closest(".file-picker");
      var again = picker && picker.querySelector('[data-pick-file="' + item.dataset.fileId + '"]');
      if (again) {
        again.disabled = false;
        again.textContent = "选择";
      }
      item.remove();
    }
  });

  // Show the zoom level once the image is there (it may load before or after this script).
  function ready() {
    var image = viewerImage();
    if (!image) return;
    if (image.complete && image.naturalWidth) zoom(image, 0, true);
    else image.addEventListener("load", function () { zoom(image, 0, true); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
  window.addEventListener("resize", function () {
    var image = viewerImage();
    if (image && image.naturalWidth) zoom(image, Number(image.dataset.step || 0), true);
  });

  // After an upload on 我的附件 went through, clear the form for the next one.
  document.addEventListener("file-uploaded", function () {
    var form = document.getElementById("upload-form");
    if (form) form.reset();
    var error = document.getElementById("upload-error");
    if (error) {
      error.hidden = true;
      error.textContent = "";
    }
  });
})();
