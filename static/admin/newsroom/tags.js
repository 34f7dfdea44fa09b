/*
 * The tag box (articles/widgets.py): chips over taggit's comma-separated text.
 *
 * The text input stays in the form, hidden, and always holds every chip in double quotes,
 * so taggit saves exactly the chips shown, spaces and commas included. Comma or Enter ends
 * a tag; the arrow keys walk the existing tags suggested as one types; Backspace in the
 * empty box removes the last chip. Without this script the input is the plain text it was.
 */
"use strict";
{
    const WAIT_MS = 150; // between the last key and asking for suggestions
    const LONGEST = 100; // taggit's Tag.name

    // Straight double quotes delimit tags in taggit's text: no tag can hold one.
    const tidy = (text) => text.replaceAll('"', "").replace(/\s+/g, " ").trim();
    const fold = (name) => name.toLocaleLowerCase();
    const serialize = (names) => names.map((name) => `"${name}"`).join(", ");
    const parse = (text) => [...text.matchAll(/"([^"]*)"/g)].map((match) => match[1]);

    function element(tag, attrs = {}, text = "") {
        const node = document.createElement(tag);
        for (const [name, value] of Object.entries(attrs)) {
            node.setAttribute(name, value);
        }
        node.textContent = text;
        return node;
    }

    function setUp(input) {
        const names = JSON.parse(input.dataset.tagChips || "[]");
        const url = input.dataset.suggestionsUrl;
        const id = input.id;
        const field = element("div", {class: "tag-chips-field"});
        const box = element("div", {class: "tag-chips"});
        const chips = element("ul", {class: "tag-chips-list", "aria-label": "Tags"});
        const listbox = element("ul", {
            class: "tag-chips-suggestions",
            id: `${id}_suggestions`,
            role: "listbox",
            "aria-label": "Existing tags",
            hidden: "",
        });
        const entry = element("input", {
            type: "text",
            class: "tag-chips-entry",
            role: "combobox",
            autocomplete: "off",
            maxlength: LONGEST,
            placeholder: "Add a tag…",
            "aria-autocomplete": "list",
            "aria-expanded": "false",
            "aria-controls": listbox.id,
        });
        const note = element("p", {class: "tag-chips-note", "aria-live": "polite"});
        const described = input.getAttribute("aria-describedby");
        if (described) {
            entry.setAttribute("aria-describedby", described);
        }
        // The label (for=id_tags) now names the box a person types in.
        input.id = `${id}_text`;
        entry.id = id;
        input.type = "hidden";
        box.append(chips, entry, listbox);
        field.append(box, note);
        input.after(field);

        let shown = []; // names in the listbox
        let active = -1; // index of the highlighted suggestion
        let asked = 0; // the latest request, so a slow answer never replaces a newer one
        let timer;
        const answers = new Map();

        function say(message, refusal = false) {
            note.textContent = message;
            note.classList.toggle("tag-chips-refusal", refusal);
        }

        function store() {
            input.value = serialize(names);
            // For the kept draft and the unsaved-changes check (drafts.js).
            input.dispatchEvent(new Event("change", {bubbles: true}));
        }

        function draw() {
            chips.replaceChildren(
                ...names.map((name, index) => {
                    const chip = element("li", {class: "tag-chip"});
                    const remove = element(
                        "button",
                        {type: "button", class: "tag-chip-remove", "aria-label": `Remove tag ${name}`},
                        "×"
                    );
                    remove.addEventListener("click", () => {
                        names.splice(index, 1);
                        store();
                        draw();
                        say(`Removed “${name}”.`);
                        entry.focus();
                    });
                    chip.append(element("span", {class: "tag-chip-name"}, name), remove);
                    return chip;
                })
            );
        }

        function close() {
            shown = [];
            active = -1;
            listbox.hidden = true;
            listbox.replaceChildren();
            entry.setAttribute("aria-expanded", "false");
            entry.removeAttribute("aria-activedescendant");
        }

        function add(typed) {
            let name = tidy(typed);
            if (!name) {
                return true;
            }
            if (name.length > LONGEST) {
                say(`“${name.slice(0, 30)}…” is longer than ${LONGEST} characters: shorten it.`, true);
                return false;
            }
            // An existing tag keeps its spelling: "local economy" is "Local economy".
            name = shown.find((known) => fold(known) === fold(name)) || name;
            if (names.some((known) => fold(known) === fold(name))) {
                say(`“${name}” is already a tag of this story.`);
            } else {
                names.push(name);
                say(`Added “${name}”.`);
                store();
                draw();
            }
            return true;
        }

        // Ends every tag typed or pasted into the box; what cannot be a tag stays there.
        function commit() {
            const refused = entry.value.split(",").filter((piece) => !add(piece));
            entry.value = refused.join(", ");
            close();
        }

        function highlight(index) {
            active = index;
            for (const [i, option] of [...listbox.children].entries()) {
                option.setAttribute("aria-selected", String(i === index));
            }
            if (index >= 0) {
                entry.setAttribute("aria-activedescendant", `${listbox.id}_${index}`);
            } else {
                entry.removeAttribute("aria-activedescendant");
            }
        }

        function offer(found, typed) {
            shown = found.filter((name) => !names.some((known) => fold(known) === fold(name)));
            active = -1;
            const options = shown.map((name, index) => {
                const option = element(
                    "li",
                    {role: "option", id: `${listbox.id}_${index}`, "aria-selected": "false"},
                    name
                );
                // mousedown, not click: the box keeps the focus.
                option.addEventListener("mousedown", (event) => {
                    event.preventDefault();
                    add(name);
                    entry.value = "";
                    close();
                });
                return option;
            });
            if (!shown.some((name) => fold(name) === fold(typed))) {
                options.push(
                    element("li", {class: "tag-chips-new"}, `Enter adds “${typed}” as a new tag`)
                );
            }
            listbox.replaceChildren(...options);
            listbox.hidden = false;
            entry.setAttribute("aria-expanded", String(shown.length > 0));
        }

        async function suggest() {
            const typed = tidy(entry.value);
            const mine = ++asked;
            if (!typed || !url) {
                close();
                return;
            }
            let found = answers.get(fold(typed));
            if (!found) {
                try {
                    const response = await fetch(`${url}?q=${encodeURIComponent(typed)}`, {
                        headers: {Accept: "application/json"},
                    });
                    found = response.ok ? (await response.json()).tags : [];
                } catch {
                    found = []; // offline: the tag can still be typed whole
                }
                answers.set(fold(typed), found);
            }
            if (mine === asked) {
                offer(found, typed);
            }
        }

        entry.addEventListener("keydown", (event) => {
            if (event.key === "Enter" || event.key === ",") {
                // Enter here ends a tag; it never submits the story half-tagged.
                event.preventDefault();
                if (active >= 0) {
                    add(shown[active]);
                    entry.value = "";
                    close();
                } else {
                    commit();
                }
            } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
                if (shown.length) {
                    event.preventDefault();
                    const last = shown.length - 1;
                    if (event.key === "ArrowDown") {
                        highlight(active >= last ? 0 : active + 1);
                    } else {
                        highlight(active <= 0 ? last : active - 1);
                    }
                }
            } else if (event.key === "Escape" && !listbox.hidden) {
                event.preventDefault();
                close();
            } else if (event.key === "Backspace" && !entry.value && names.length) {
                const name = names.pop();
                store();
                draw();
                say(`Removed “${name}”.`);
            }
        });
        entry.addEventListener("input", () => {
            clearTimeout(timer);
            if (entry.value.includes(",")) {
                commit(); // pasted or filled text: "Budget, Libraries" is two tags
            } else {
                timer = setTimeout(suggest, WAIT_MS);
            }
        });
        entry.addEventListener("blur", close);
        box.addEventListener("click", (event) => {
            if (event.target === box || event.target === chips) {
                entry.focus();
            }
        });
        // A tag still being typed when the story is saved is kept, not dropped.
        input.form?.addEventListener("submit", commit);
        // A restored draft (drafts.js) sets the text and says so with "input": draw its chips.
        input.addEventListener("input", () => {
            names.splice(0, names.length, ...parse(input.value));
            draw();
        });

        input.value = serialize(names);
        draw();
    }

    document.addEventListener("DOMContentLoaded", () => {
        for (const input of document.querySelectorAll("input[data-tag-chips]")) {
            if (!input.disabled && !input.readOnly) {
                setUp(input);
            }
        }
    });
}
