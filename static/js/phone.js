// The phone simulator shows the newest text at the bottom, as a phone does: start scrolled there.
document.querySelectorAll(".sim-thread-list").forEach(function (list) {
  list.scrollTop = list.scrollHeight;
});
