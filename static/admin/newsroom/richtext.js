// The story body's editor (articles/richtext.py): django-prose-editor's extensions, named by
// the server in the textarea's data attribute, on an editor built without inline styles.
import * as prose from "django-prose-editor/editor"

const ATTRIBUTE = "data-django-prose-editor-newsroom"

// The scheme a browser would follow, as articles/sanitize.py reads it: spaces and control
// characters at either end and tabs and newlines anywhere are ignored ("java\tscript:").
function scheme(address) {
  const squashed = address.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, "").replace(/[\t\n\r]/g, "")
  const match = /^([a-z][a-z0-9+.-]*):/i.exec(squashed)
  return match ? match[1].toLowerCase() : null
}

const SCHEMES = ["http", "https", "mailto"]

// What the sanitizer keeps: pasted or stored links to anything else lose their address here,
// not silently on save.
function keptOnSave(address) {
  const found = scheme(address || "")
  return found === null || SCHEMES.includes(found)
}

// What the link dialog accepts: an address with a scheme we keep, or one on this site.
// "www.example.org" would be read as a page of this site, so it is refused with a hint.
function linkProblem(typed) {
  const address = typed.trim()
  if (!address) return "Type the address the link goes to."
  const found = scheme(address)
  if (found !== null) {
    return SCHEMES.includes(found)
      ? ""
      : `A link may not start with “${found}:”. Use https://…, http://…, mailto:… or /… for a page of this site.`
  }
  if (/^\/(?!\/)|^#/.test(address)) return ""
  return "Start a web address with https:// (for example https://example.org/), an e-mail address with mailto:, a page of this site with /."
}

// Runs before the dialog's own submit handler (capture phase), which asks the form to
// report its validity: a refused address keeps the dialog open, the reason under it.
document.addEventListener(
  "click",
  (event) => {
    const button = event.target.closest?.(".prose-editor-dialog button[type=submit]")
    const href = button?.form?.elements.href
    if (href) showLinkProblem(href, linkProblem(href.value))
  },
  true,
)
document.addEventListener("input", (event) => {
  if (event.target.matches?.(".prose-editor-dialog input[name=href]")) {
    showLinkProblem(event.target, "")
  }
})

function showLinkProblem(input, problem) {
  input.setCustomValidity(problem)
  let note = input.parentElement.querySelector(".richtext-link-problem")
  if (!note) {
    note = prose.crel("p", { className: "richtext-link-problem", id: `${input.id}-problem` })
    input.after(note)
    input.setAttribute("aria-describedby", note.id)
  }
  note.textContent = problem
}

// Pasted HTML as the editor should read it: ProseMirror then keeps paragraphs, links,
// emphasis and lists, and drops everything else. Reading a style attribute or a <style>
// element, even in a detached document, is an inline style the CSP refuses (a console error
// each) and leaves element.style empty, so styles are renamed before parsing and read here.
const STYLE = "data-pasted-style"

function cleanPastedHTML(html) {
  const unstyled = html
    .replace(/<style[\s\S]*?<\/style\s*>/gi, "")
    .replace(/(<[a-z][^>]*?\s)style=/gi, `$1${STYLE}=`)
  const doc = new DOMParser().parseFromString(unstyled, "text/html")
  wordListsToLists(doc)
  for (const element of doc.body.querySelectorAll(`[${STYLE}]`)) {
    const style = element.getAttribute(STYLE)
    const weight = /(?:^|;)\s*font-weight\s*:\s*([a-z0-9]+)/i.exec(style)?.[1] || ""
    if (element.tagName === "B" && /^(normal|[1-4]00)$/i.test(weight)) {
      // Google Docs wraps a whole copy in <b style="font-weight:normal">.
      element.replaceWith(...element.childNodes)
      continue
    }
    if (/^(bold|bolder|[6-9]00)$/i.test(weight)) wrapContent(element, "strong")
    if (/(?:^|;)\s*font-style\s*:\s*italic/i.test(style)) wrapContent(element, "em")
  }
  for (const element of doc.body.querySelectorAll(`[${STYLE}], [class]`)) {
    element.removeAttribute(STYLE)
    element.removeAttribute("class")
  }
  // Word keeps blank lines as empty paragraphs, Google Docs as a <br> between blocks; the
  // page spaces paragraphs already.
  for (const paragraph of doc.body.querySelectorAll("p")) {
    if (!paragraph.textContent.trim() && !paragraph.querySelector("br")) paragraph.remove()
  }
  for (const br of doc.body.querySelectorAll(":scope > br")) {
    if ([neighbour(br, "previousSibling"), neighbour(br, "nextSibling")].every(isBlockOrNone)) {
      br.remove()
    }
  }
  return doc.body.innerHTML
}

function neighbour(node, direction) {
  let next = node[direction]
  while (next && next.nodeType === Node.TEXT_NODE && !next.textContent.trim()) next = next[direction]
  return next
}

function isBlockOrNone(node) {
  return !node || /^(P|H[1-6]|UL|OL|BLOCKQUOTE|DIV|TABLE|FIGURE)$/.test(node.nodeName)
}

function wrapContent(element, tag) {
  const wrapper = element.ownerDocument.createElement(tag)
  wrapper.append(...element.childNodes)
  element.append(wrapper)
}

// Word writes a list as paragraphs styled "mso-list:l0 level1 lfo1", the bullet or number
// typed out in a span styled "mso-list:Ignore". Nested levels become one level.
const WORD_LIST_ITEM = /mso-list:\s*l\d+\s+level\d+/i
const NUMBERED = /^[(]?[0-9a-z]{1,4}[.)]$/i

function wordListsToLists(doc) {
  let list = null
  for (const paragraph of doc.body.querySelectorAll("p")) {
    if (!WORD_LIST_ITEM.test(paragraph.getAttribute(STYLE) || "")) continue
    const marker = [...paragraph.querySelectorAll(`[${STYLE}]`)].find((span) =>
      /mso-list:\s*ignore/i.test(span.getAttribute(STYLE)),
    )
    const tag = NUMBERED.test(marker?.textContent.trim() || "") ? "OL" : "UL"
    marker?.remove()
    if (!list || list.tagName !== tag || list.nextElementSibling !== paragraph) {
      list = doc.createElement(tag)
      paragraph.before(list)
    }
    const item = doc.createElement("li")
    item.append(doc.createElement("p"))
    item.firstChild.append(...paragraph.childNodes)
    list.append(item)
    paragraph.remove()
  }
}

// Our own extensions (settings.DJANGO_PROSE_EDITOR_EXTENSIONS: the picture node) come as
// modules the server names in the configuration, with hashed static addresses; each is
// imported once, as django-prose-editor's configurable.js does.
const loaded = new Map()

async function extensionsNamed(config) {
  const modules = await Promise.all(
    (config.js_modules || []).map((address) => {
      if (!loaded.has(address)) loaded.set(address, import(address))
      return loaded.get(address)
    }),
  )
  const available = Object.assign({}, prose, ...modules)
  return Object.entries(config.extensions).map(([name, options]) => {
    if (!available[name]) throw new Error(`The body editor has no extension named ${name}.`)
    if (name === "Link") options = { ...options, isAllowedUri: keptOnSave }
    return typeof options === "object" ? available[name].configure(options) : available[name]
  })
}

async function createEditor(textarea) {
  if (textarea.closest(".prose-editor")) return null
  const config = JSON.parse(textarea.getAttribute(ATTRIBUTE))
  const extensions = await extensionsNamed(config)
  // The editable area is what a screen reader lands on: it takes the field's label and help.
  const label = document.querySelector(`label[for="${textarea.id}"]`)
  const attributes = { "aria-label": label ? label.textContent.replace(/:\s*$/, "") : textarea.name }
  const help = textarea.getAttribute("aria-describedby")
  if (help) attributes["aria-describedby"] = help
  // django-prose-editor's createTextareaEditor, less Tiptap's injected <style>, which the
  // CSP refuses: richtext.css holds the same rules.
  const disabled = textarea.hasAttribute("disabled")
  const wrapper = prose.crel("div", { className: disabled ? "prose-editor disabled" : "prose-editor" })
  // The story's language and direction (ArticleAdminForm): the editable area inherits them
  // from the container, so a Sorani body is typed right to left; the toolbar stays as it is
  // (richtext.css). desk-form.js changes them when the editor picks another language.
  for (const name of ["lang", "dir"]) {
    if (textarea.hasAttribute(name)) wrapper.setAttribute(name, textarea.getAttribute(name))
  }
  textarea.before(wrapper)
  wrapper.append(textarea)
  const editor = new prose.Editor({
    element: wrapper,
    editable: !disabled,
    extensions,
    content: textarea.value,
    injectCSS: false,
    editorProps: { attributes, transformPastedHTML: cleanPastedHTML },
    onUpdate({ editor }) {
      const html = editor.getHTML()
      // An empty editor is one empty paragraph: store nothing, so "required" still works.
      // (A lone picture is an empty element too, and not nothing.)
      textarea.value = /^<p(\s[^>]*)?><\/p>$/i.test(html) ? "" : html
      textarea.dispatchEvent(new Event("input", { bubbles: true }))
    },
    onDestroy() {
      wrapper.before(textarea)
      wrapper.remove()
    },
  })
  // A script that sets the textarea (a restored draft) says so with a "change" event; the
  // editor then shows that text. The textarea itself is hidden, so no person fires one.
  textarea.addEventListener("change", () => {
    editor.commands.setContent(textarea.value, { emitUpdate: false })
  })
  textarea.dispatchEvent(new CustomEvent("prose-editor:ready", { detail: { editor, textarea }, bubbles: true }))
  return editor
}

prose.initializeEditors((textarea) => {
  createEditor(textarea).catch((error) => console.error("The body editor could not start:", error))
}, `[${ATTRIBUTE}]`)
