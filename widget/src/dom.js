// DOM helpers. Text always becomes text nodes: nothing here parses HTML.

const SVG = "http://www.w3.org/2000/svg";
const LINK = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g;

// Create an element; attributes `false`/`null` are left out, children may be strings.
export function el(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    node.setAttribute(name, value === true ? "" : String(value));
  }
  node.append(...[].concat(children));
  return node;
}

// Append `text` as text, turning web addresses into links that open in a new tab.
export function appendText(parent, text) {
  let last = 0;
  let match;
  LINK.lastIndex = 0;
  while ((match = LINK.exec(text)) !== null) {
    parent.append(text.slice(last, match.index));
    parent.append(el("a", { href: match[0], target: "_blank", rel: "noopener noreferrer" }, match[0]));
    last = match.index + match[0].length;
  }
  parent.append(text.slice(last));
}

// The launcher's speech-bubble icon (decorative).
export function chatIcon() {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z");
  svg.append(path);
  return svg;
}

// Style a shadow root: a constructed style sheet where supported (not subject to a
// page's `style-src` CSP), a <style> element otherwise.
export function adoptStyles(shadow, css) {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    shadow.adoptedStyleSheets = [sheet];
  } catch (error) {
    shadow.append(el("style", {}, css));
  }
}
