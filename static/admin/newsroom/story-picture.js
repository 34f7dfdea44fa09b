// A library picture in the story body (articles/richtext.py, StoryPicture). Stored as a
// reference, <figure data-image="photos/2026/11/flood.jpg"></figure> (the picture's natural
// key, with data-caption when this story prints its own caption), which the story page
// expands. Here it is a block showing the picture, its caption and credit: it can be
// selected, dragged and deleted, never typed in.
//
// The toolbar's "Picture" button picks one through the admin's own popups, as a raw-id
// field's magnifier and "+" do (django.contrib.admin's RelatedObjectLookups.js): the library's
// list to choose from, or its upload form. The popup hands the picture's id back to a hidden
// input of ours; the editor then asks the library what to show (ImageAdmin.pictures_view).
import { crel, Node, updateAttrsDialog } from "django-prose-editor/editor"

const NAME = "storyPicture"

// What the library says of each picture, by natural key: asked once per page.
const known = new Map()

async function ask(address, parameters) {
  const response = await fetch(`${address}?${new URLSearchParams(parameters)}`, {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  })
  if (!response.ok) throw new Error(`The picture library answered ${response.status}.`)
  return (await response.json()).pictures
}

function pictureNamed(address, key) {
  if (!known.has(key)) {
    const asked = ask(address, { file: key }).then((pictures) => pictures[0] || null)
    // A failed request is asked again next time, not remembered.
    asked.catch(() => known.delete(key))
    known.set(key, asked)
  }
  return known.get(key)
}

let receivers = 0

// The hidden input the admin's popups write the chosen picture's id into (by its id, which
// names the popup window), with a jQuery "change" as the admin's own widgets get.
function receiverFor(editor, onPicked) {
  const input = crel("input", { type: "hidden", id: `story-picture-${++receivers}` })
  editor.view.dom.parentElement.append(input)
  window.django.jQuery(input).on("change", () => {
    const id = input.value
    input.value = ""
    if (id) onPicked(id)
  })
  return input
}

function openPopup(kind, address, receiver) {
  // Named as the admin names its popups, so its dismiss functions find the receiver.
  const link = crel("a", { id: `${kind}_${receiver.id}`, href: `${address}?_popup=1` })
  if (kind === "lookup") window.showRelatedObjectLookupPopup(link)
  else window.showRelatedObjectPopup(link)
}

function chooseDialog(editor, { onLibrary, onUpload }) {
  const library = crel("button", { type: "button", textContent: "Choose from the library…" })
  const upload = crel("button", { type: "button", textContent: "Upload a new picture…" })
  const cancel = crel("button", { type: "button", textContent: "Cancel" })
  const dialog = crel("dialog", { className: "prose-editor-dialog story-picture-dialog" }, [
    crel("form", { method: "dialog" }, [
      crel("h3", { className: "prose-editor-dialog-title", textContent: "Insert a picture" }),
      crel("p", {
        textContent:
          "Pick one of the library's pictures, or upload one: it joins the library with its " +
          "caption, credit and alt text, and the story shows it here.",
      }),
      crel("div", { className: "prose-editor-dialog-buttons" }, [library, upload, cancel]),
    ]),
  ])
  const choose = (then) => () => {
    dialog.close()
    then()
  }
  library.addEventListener("click", choose(onLibrary))
  upload.addEventListener("click", choose(onUpload))
  cancel.addEventListener("click", () => dialog.close())
  dialog.addEventListener("close", () => dialog.remove())
  editor.view.dom.parentElement.append(dialog)
  dialog.showModal()
  library.focus()
}

const captionDialog = updateAttrsDialog(
  {
    caption: {
      type: "string",
      format: "textarea",
      title: "Caption for this story",
      description: "Leave it empty to print the picture's own caption from the library.",
    },
  },
  { title: "Picture caption", submitText: "Save caption" },
)

function button(text, className, onClick) {
  const element = crel("button", { type: "button", className, textContent: text })
  element.addEventListener("click", (event) => {
    event.preventDefault()
    onClick()
  })
  return element
}

export const StoryPicture = Node.create({
  name: NAME,
  group: "block",
  atom: true,
  draggable: true,
  selectable: true,

  addOptions() {
    return { chooserUrl: "", uploadUrl: "", detailsUrl: "" }
  },

  addStorage() {
    return { receiver: null }
  },

  addAttributes() {
    return {
      image: {
        default: null,
        parseHTML: (element) => element.getAttribute("data-image"),
        renderHTML: ({ image }) => ({ "data-image": image }),
      },
      caption: {
        default: null,
        parseHTML: (element) => element.getAttribute("data-caption") || null,
        renderHTML: ({ caption }) => (caption ? { "data-caption": caption } : {}),
      },
    }
  },

  parseHTML() {
    return [{ tag: "figure[data-image]" }]
  },

  // Nothing inside: what the sanitizer keeps (articles/sanitize.py).
  renderHTML({ HTMLAttributes }) {
    return ["figure", HTMLAttributes]
  },

  addCommands() {
    return {
      insertStoryPicture:
        (image) =>
        ({ commands }) =>
          commands.insertContent({ type: NAME, attrs: { image } }),
    }
  },

  onCreate() {
    const { editor, options } = this
    this.storage.receiver = receiverFor(editor, async (id) => {
      const [picture] = await ask(options.detailsUrl, { id })
      if (!picture) return
      known.set(picture.file, Promise.resolve(picture))
      editor.chain().focus().insertStoryPicture(picture.file).run()
    })
  },

  onDestroy() {
    this.storage.receiver?.remove()
  },

  addMenuItems({ menu, buttons }) {
    const { options, storage } = this
    menu.defineItem({
      name: NAME,
      groups: "nodes",
      // After the block quote, in the same group.
      priority: 50,
      button: buttons.material("add_photo_alternate", "Picture"),
      enabled: (editor) => editor.can().insertStoryPicture("-"),
      command(editor) {
        chooseDialog(editor, {
          onLibrary: () => openPopup("lookup", options.chooserUrl, storage.receiver),
          onUpload: () => openPopup("add", options.uploadUrl, storage.receiver),
        })
      },
    })
  },

  addNodeView() {
    return ({ node, getPos, editor }) => {
      const view = new PictureView(node, editor, getPos, this.options.detailsUrl)
      return {
        dom: view.dom,
        update(updated) {
          if (updated.type.name !== NAME) return false
          view.show(updated)
          return true
        },
        // The buttons and the library link are for clicking, not for selecting the block.
        stopEvent: (event) => Boolean(event.target.closest?.("button, a")),
        ignoreMutation: () => true,
        destroy: () => shown.delete(view),
      }
    }
  },
})

// Pictures on show that lack alt text or credit, asked about again when the editor comes
// back from the library's tab ("Add in the library"), so what is fixed there shows here.
const shown = new Set()

window.addEventListener("focus", () => {
  for (const view of shown) {
    if (!view.picture?.missing.length) continue
    known.delete(view.node.attrs.image)
    view.show(view.node)
  }
})

// The block an editor sees: the picture, its caption and credit, what it lacks to go live.
class PictureView {
  constructor(node, editor, getPos, detailsUrl) {
    this.editor = editor
    this.getPos = getPos
    this.detailsUrl = detailsUrl
    this.picture = null
    this.dom = crel("figure", { className: "story-picture-node" })
    shown.add(this)
    this.show(node)
  }

  async show(node) {
    const same = this.picture && this.node.attrs.image === node.attrs.image
    this.node = node
    this.dom.dataset.image = node.attrs.image
    if (!same) this.render(null, "Loading the picture…")
    let picture
    try {
      picture = await pictureNamed(this.detailsUrl, node.attrs.image)
    } catch {
      this.render(null, "The picture library did not answer: the picture is kept, reload to see it.")
      return
    }
    if (this.node !== node) return // changed meanwhile
    this.render(
      picture,
      picture ? "" : `“${node.attrs.image}” is no longer in the picture library: readers will not see it.`,
    )
  }

  render(picture, notice) {
    this.picture = picture
    const { caption } = this.node.attrs
    const words = []
    if (picture) {
      const printed = caption || picture.caption
      if (printed) words.push(crel("span", { className: "story-picture-node__caption", textContent: printed }))
      if (picture.credit) {
        words.push(crel("span", { className: "story-picture-node__credit", textContent: picture.credit }))
      }
      if (caption) {
        words.push(crel("span", { className: "story-picture-node__note", textContent: "Caption for this story" }))
      }
    }
    const missing = picture?.missing?.length
      ? [
          crel("div", { className: "story-picture-node__missing" }, [
            `No ${picture.missing.join(" and no ")}: needed before the story goes live. `,
            crel("a", {
              href: picture.change_url,
              target: "_blank",
              rel: "noopener",
              textContent: "Add in the library",
            }),
          ]),
        ]
      : []
    this.dom.classList.toggle("story-picture-node--unseen", !picture)
    this.dom.replaceChildren(
      picture ? crel("div", { className: "story-picture-node__picture" }, [this.image(picture)]) : "",
      crel("div", { className: "story-picture-node__words" }, [
        notice ? crel("div", { className: "story-picture-node__notice", textContent: notice }) : "",
        words.length ? crel("figcaption", {}, words) : "",
        ...missing,
        crel("div", { className: "story-picture-node__actions" }, [
          ...(picture ? [button("Caption…", "story-picture-node__button", () => this.editCaption())] : []),
          button("Remove", "story-picture-node__button", () => this.remove()),
        ]),
      ]),
    )
  }

  image(picture) {
    const { url, width, height } = picture.thumbnail
    const alt = picture.decorative ? "" : picture.alt_text
    const image = crel("img", { src: url, width, height, alt, draggable: false })
    // Renditions follow the upload's commit; until then the original (staff only) will do.
    image.addEventListener("error", () => (image.src = picture.original), { once: true })
    return image
  }

  async editCaption() {
    const attrs = await captionDialog(this.editor, { caption: this.node.attrs.caption || "" })
    if (!attrs) return
    const caption = attrs.caption.replace(/\s+/g, " ").trim() || null
    const position = this.getPos()
    this.editor
      .chain()
      .focus()
      .command(({ tr }) => {
        tr.setNodeMarkup(position, undefined, { ...this.node.attrs, caption })
        return true
      })
      .run()
  }

  remove() {
    const from = this.getPos()
    this.editor.chain().focus().deleteRange({ from, to: from + this.node.nodeSize }).run()
  }
}
