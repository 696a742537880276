// Streamlit component protocol (v1) by hand: ready -> render(args) -> setFrameHeight/Value.
(function () {
  "use strict";
  var frame = document.getElementById("map");
  var shown = null;
  var pending = null;
  var clicks = false;

  function send(type, data) {
    var message = Object.assign({isStreamlitMessage: true, type: type}, data || {});
    window.parent.postMessage(message, "*");
  }

  function render(args) {
    var height = Number(args.height) > 0 ? Number(args.height) : 500;
    clicks = args.clicks === true;
    frame.style.height = height + "px";
    if (typeof args.html === "string") { pending = args.html; }
    send("streamlit:setFrameHeight", {height: height});
    load();
  }

  function load() {
    // Leaflet fits the map to the frame's size when it starts: wait until the frame has one
    // (a map in a collapsed expander or a column still being laid out has none yet)
    if (pending !== null && pending !== shown && frame.clientWidth > 0) {
      shown = pending;
      frame.srcdoc = pending;
    }
  }
  new ResizeObserver(load).observe(frame);

  function plain(properties) {
    // only flat string/number/boolean values go back to the server
    var out = {};
    Object.keys(properties || {}).slice(0, 50).forEach(function (key) {
      var value = properties[key];
      if (["string", "number", "boolean"].indexOf(typeof value) >= 0) {
        out[String(key).slice(0, 100)] = typeof value === "string" ? value.slice(0, 1000) : value;
      }
    });
    return out;
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || typeof data !== "object") { return; }
    if (event.source === window.parent && data.type === "streamlit:render") {
      render(data.args || {});
    } else if (clicks && event.source === frame.contentWindow && data.otbasyClick) {
      send("streamlit:setComponentValue",
           {value: {clicked: plain(data.otbasyClick.properties)}, dataType: "json"});
    }
  });
  send("streamlit:componentReady", {apiVersion: 1});
})();
