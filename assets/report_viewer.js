// Report viewer: smooth scrolling from the table of contents and a scroll-spy that marks the
// section being read: the last section whose top has passed a line near the top of the report
// column (recomputed on scroll, one animation frame at a time). Sections carry
// data-report-section="<anchor>", TOC links data-toc-target="<anchor>"; the active link gets
// data-active="true" (an attribute React does not manage, so re-renders keep it).
(function () {
  if (window.mnReportViewer) return;
  let frame = 0;
  let pending = 0;
  let clickLock = 0;

  function mark(anchor) {
    document.querySelectorAll("[data-toc-target]").forEach(function (link) {
      if (link.getAttribute("data-toc-target") === anchor) {
        link.setAttribute("data-active", "true");
        link.setAttribute("aria-current", "location");
      } else {
        link.removeAttribute("data-active");
        link.removeAttribute("aria-current");
      }
    });
  }

  function compute() {
    frame = 0;
    if (Date.now() < clickLock) return;
    const sections = document.querySelectorAll("[data-report-section]");
    if (!sections.length) return;
    const column = sections[0].closest(".mn-centre");
    if (column && column.offsetParent === null) return; // a phone panel covers the report
    const box = column ? column.getBoundingClientRect() : { top: 0, height: window.innerHeight };
    const line = box.top + Math.min(140, box.height * 0.25);
    let current = sections[0];
    for (const section of sections) {
      if (section.getBoundingClientRect().top <= line) current = section;
      else break;
    }
    mark(current.getAttribute("data-report-section"));
  }

  function schedule() {
    if (!frame) frame = requestAnimationFrame(compute);
  }

  function scrollWhenVisible(anchor, tries) {
    const target = document.getElementById(anchor);
    if (!target) return;
    // On phones the TOC panel covers the report until it closes: wait for the section.
    if (target.offsetParent === null && tries > 0) {
      setTimeout(function () { scrollWhenVisible(anchor, tries - 1); }, 50);
      return;
    }
    const details = target.querySelector("details");
    if (details) details.open = true;
    clickLock = Date.now() + 900;
    mark(anchor);
    target.scrollIntoView({ behavior: "smooth", block: "start" });
    setTimeout(schedule, 950);
  }

  // A link to "...#sec-<key>" (Research Mode's sources): scroll there once the section has
  // rendered, closing a phone panel that covers the report. Each URL is followed once.
  let followed = "";
  function followHash(tries) {
    const hash = decodeURIComponent(window.location.hash || "");
    if (!hash.startsWith("#sec-")) return;
    const key = window.location.pathname + window.location.search + hash;
    if (followed === key) return;
    if (!document.getElementById(hash.slice(1))) {
      if (tries > 0) setTimeout(function () { followHash(tries - 1); }, 100);
      return;
    }
    followed = key;
    const close = document.querySelector(".mn-has-mobile-panel [data-testid='close-right']");
    if (close && close.offsetParent !== null) close.click();
    scrollWhenVisible(hash.slice(1), 40);
  }
  window.addEventListener("hashchange", function () { followHash(50); });

  // Capture phase: runs before the router's link handler, which then leaves the URL alone.
  document.addEventListener(
    "click",
    function (event) {
      const link = event.target.closest && event.target.closest("[data-toc-target]");
      if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
      event.preventDefault();
      scrollWhenVisible(link.getAttribute("data-toc-target"), 40);
    },
    true
  );
  // Scroll events do not bubble: listen in the capture phase for the report column's.
  document.addEventListener("scroll", schedule, true);
  window.addEventListener("resize", schedule);
  new MutationObserver(function () {
    clearTimeout(pending);
    pending = setTimeout(schedule, 120);
  }).observe(document.documentElement, { childList: true, subtree: true });

  window.mnReportViewer = {
    refresh: function () { followHash(50); schedule(); },
    mark: mark,
  };
  followHash(50);
  schedule();
})();
