/**
 * Just enough XML for Pascal VOC annotation files: elements, text, the
 * standard entities, comments, CDATA and declarations. Attributes are read
 * and kept; namespaces and DTDs are not interpreted.
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (its text nodes joined), trimmed. */
  text: string;
}

export class XmlError extends Error {}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, code: string) => {
    if (code[0] === "#") {
      const n = code[1].toLowerCase() === "x" ? parseInt(code.slice(2), 16) : parseInt(code.slice(1), 10);
      return Number.isFinite(n) ? String.fromCodePoint(n) : whole;
    }
    return ENTITIES[code] ?? whole;
  });
}

/** Parses a document and returns its root element. */
export function parseXml(source: string): XmlElement {
  const stack: { element: XmlElement; texts: string[] }[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  const line = () => source.slice(0, i).split("\n").length;
  while (i < source.length) {
    const lt = source.indexOf("<", i);
    const text = source.slice(i, lt < 0 ? source.length : lt);
    if (text.trim()) {
      if (!stack.length) throw new XmlError(`text outside the root element at line ${line()}`);
      stack[stack.length - 1].texts.push(decodeEntities(text));
    }
    if (lt < 0) break;
    i = lt;
    if (source.startsWith("<!--", i)) {
      const end = source.indexOf("-->", i + 4);
      if (end < 0) throw new XmlError(`unclosed comment at line ${line()}`);
      i = end + 3;
    } else if (source.startsWith("<![CDATA[", i)) {
      const end = source.indexOf("]]>", i);
      if (end < 0 || !stack.length) throw new XmlError(`bad CDATA section at line ${line()}`);
      stack[stack.length - 1].texts.push(source.slice(i + 9, end));
      i = end + 3;
    } else if (source.startsWith("<?", i) || source.startsWith("<!", i)) {
      const end = source.indexOf(">", i);
      if (end < 0) throw new XmlError(`unclosed declaration at line ${line()}`);
      i = end + 1;
    } else if (source.startsWith("</", i)) {
      const end = source.indexOf(">", i);
      const name = source.slice(i + 2, end).trim();
      const open = stack.pop();
      if (end < 0 || !open || open.element.name !== name) throw new XmlError(`closing tag </${name}> does not match${open ? ` <${open.element.name}>` : ""} at line ${line()}`);
      open.element.text = open.texts.join("").trim();
      i = end + 1;
    } else {
      const end = source.indexOf(">", i);
      if (end < 0) throw new XmlError(`unclosed tag at line ${line()}`);
      const selfClosing = source[end - 1] === "/";
      const body = source.slice(i + 1, selfClosing ? end - 1 : end).trim();
      const match = /^([^\s/>]+)([\s\S]*)$/.exec(body);
      if (!match) throw new XmlError(`empty tag at line ${line()}`);
      const attributes: Record<string, string> = {};
      for (const a of match[2].matchAll(/([^\s=]+)\s*=\s*("([^"]*)"|'([^']*)')/g)) attributes[a[1]] = decodeEntities(a[3] ?? a[4] ?? "");
      const element: XmlElement = { name: match[1], attributes, children: [], text: "" };
      if (stack.length) stack[stack.length - 1].element.children.push(element);
      else if (root) throw new XmlError(`a second root element <${element.name}> at line ${line()}`);
      else root = element;
      if (!selfClosing) stack.push({ element, texts: [] });
      i = end + 1;
    }
  }
  if (stack.length) throw new XmlError(`<${stack[stack.length - 1].element.name}> is never closed`);
  if (!root) throw new XmlError("the file holds no element");
  return root;
}

/** The first child element called `name`. */
export function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

/** Escapes text for an element's content. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!);
}
