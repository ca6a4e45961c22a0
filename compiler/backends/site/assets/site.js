// campc's site: draws the sequence flows with the vendored Mermaid (when the page has
// one), then marks the page ready. Nothing is fetched; nothing else runs.
(function () {
  "use strict";
  var root = document.documentElement;
  function ready() {
    root.dataset.ready = "true";
  }
  var flows = document.querySelectorAll("pre.mermaid");
  if (!flows.length || !window.mermaid) {
    ready();
    return;
  }
  window.mermaid.initialize({
    startOnLoad: false,
    securityLevel: "strict",
    theme: "neutral",
    flowchart: { useMaxWidth: true, htmlLabels: false },
  });
  window.mermaid.run({ nodes: flows }).then(ready, function (error) {
    console.error("campc site: a flow did not draw:", error);
    ready();
  });
})();
