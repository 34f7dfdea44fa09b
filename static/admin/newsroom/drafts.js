/*
 * No lost work on the story form: a prompt before leaving it with unsaved changes, and a
 * copy of what is typed kept in this browser (localStorage), offered back when the form is
 * opened again after a crash or an accidental close.
 *
 * A kept copy never replaces newer saved work. It is offered only if nobody has saved the
 * story since the copy began (same edit_token), or if it was typed after the last save;
 * in that case restoring also restores the old edit_token, so saving it meets the form's
 * usual conflict check ("… changed this story after you opened it") instead of overwriting.
 * A successful save clears the copy. Copies are kept per user (two people sharing a browser
 * never see each other's), are dropped after a week, and logging out clears them all
 * (drafts-logout.js).
 */
"use strict";
{
    const KEPT = ["headline", "slug", "standfirst", "body", "byline", "tags"];
    const PREFIX = "newsroom:draft:";
    const SUBMITTED = "newsroom:draft-submitted";
    const SUBMIT_WINDOW_MS = 5 * 60 * 1000; // a save's answer arrives well within this
    const WAIT_MS = 400; // between the last key and writing the copy
    const MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

    let key; // PREFIX + user + page, set in setUp() once the form is there

    function read(name) {
        try {
            return JSON.parse(localStorage.getItem(name));
        } catch {
            return null;
        }
    }

    function write(name, value) {
        try {
            localStorage.setItem(name, JSON.stringify(value));
        } catch {
            // Storage full or refused (private mode): the prompt before leaving still works.
        }
    }

    // A save that succeeded shows Django's success message on the next page: the copy it
    // saved is no longer needed. A refused save shows the form again, with no such message.
    function forgetWhatWasSaved() {
        const submitted = JSON.parse(sessionStorage.getItem(SUBMITTED) || "null");
        sessionStorage.removeItem(SUBMITTED);
        const saved = document.querySelector(".messagelist .success");
        if (submitted && saved && Date.now() - submitted.at < SUBMIT_WINDOW_MS) {
            localStorage.removeItem(submitted.key);
        }
    }

    // The edit_token is the story's updated_at in UTC, to the microsecond.
    const savedAt = (token) => (token ? Date.parse(token.replace(/(\.\d{3})\d*/, "$1")) : 0);

    function setUp(form) {
        const owner = form.querySelector("[data-draft-owner]")?.dataset.draftOwner || "";
        key = `${PREFIX}${owner}:${location.pathname}`;
        const fields = KEPT.map((name) => form.elements.namedItem(name)).filter(
            (field) => field && !field.disabled && !field.readOnly && field.name
        );
        const token = form.elements.namedItem("edit_token");
        const values = () => Object.fromEntries(fields.map((field) => [field.name, field.value]));
        const everything = () =>
            JSON.stringify(
                [...new FormData(form)].filter(
                    ([name, value]) => name !== "csrfmiddlewaretoken" && typeof value === "string"
                )
            );
        const opened = everything();
        const openedValues = values();
        // A refused save shows the form again with what was sent: none of it is saved yet.
        const refused = form.querySelector(".errornote:not([hidden])");
        // Otherwise only what was typed is kept, so a restore touches nothing else.
        const typed = () =>
            Object.fromEntries(
                Object.entries(values()).filter(
                    ([name, value]) => refused || value !== openedValues[name]
                )
            );
        let submitting = false;
        let answered = true; // false while a kept copy waits to be restored or discarded
        let timer;

        function keep() {
            clearTimeout(timer);
            if (!answered) {
                return;
            }
            const changes = typed();
            if (Object.keys(changes).length) {
                write(key, {values: changes, token: token?.value || "", at: Date.now()});
            } else {
                localStorage.removeItem(key);
            }
        }

        function restore(kept) {
            for (const field of fields) {
                if (field.name in kept.values && field.value !== kept.values[field.name]) {
                    field.value = kept.values[field.name];
                    // The scripts over a field read it again: the counters on "input", the
                    // body's editor (richtext.js) on "change", the tag chips (tags.js) on both.
                    field.dispatchEvent(new Event("input", {bubbles: true}));
                    field.dispatchEvent(new Event("change", {bubbles: true}));
                }
            }
            if (token && kept.token) {
                token.value = kept.token;
            }
        }

        function offer(kept) {
            const when = new Date(kept.at).toLocaleString([], {
                dateStyle: "medium",
                timeStyle: "short",
            });
            const stale = token && kept.token !== token.value;
            const box = document.createElement("div");
            box.className = "draft-offer";
            box.setAttribute("role", "region");
            box.setAttribute("aria-label", "Unsaved changes kept by this browser");
            const text = document.createElement("p");
            text.textContent = stale
                ? `This browser kept changes you made at ${when} that were not saved. ` +
                  "The story has been saved since: if you restore them, saving will first " +
                  "show you that, so you can compare."
                : `This browser kept changes you made at ${when} that were not saved.`;
            const restoreButton = document.createElement("button");
            restoreButton.type = "button";
            restoreButton.className = "button draft-restore";
            restoreButton.textContent = "Restore my changes";
            const discardButton = document.createElement("button");
            discardButton.type = "button";
            discardButton.className = "button draft-discard";
            discardButton.textContent = "Discard them";
            const done = (message) => {
                answered = true;
                text.textContent = message;
                restoreButton.remove();
                discardButton.remove();
                box.setAttribute("role", "status");
            };
            restoreButton.addEventListener("click", () => {
                restore(kept);
                done("Your kept changes are back in the form. Save to keep them.");
                keep();
            });
            discardButton.addEventListener("click", () => {
                localStorage.removeItem(key);
                done("The kept changes were discarded.");
            });
            box.append(text, restoreButton, discardButton);
            form.prepend(box);
            answered = false;
        }

        let kept = read(key);
        if (kept && !(Date.now() - kept.at < MAX_AGE_MS)) {
            localStorage.removeItem(key); // a week old: nobody is coming back for it
            kept = null;
        }
        const differs = (copy) =>
            Object.entries(copy?.values || {}).some(
                ([name, value]) => name in openedValues && openedValues[name] !== value
            );
        if (differs(kept)) {
            const current = token?.value || "";
            if (!token || kept.token === current || kept.at > savedAt(current)) {
                offer(kept);
            } else {
                localStorage.removeItem(key); // older than the saved story
            }
        }

        if (refused) {
            keep();
        }
        form.addEventListener("input", () => {
            clearTimeout(timer);
            timer = setTimeout(keep, WAIT_MS);
        });
        form.addEventListener("change", () => {
            clearTimeout(timer);
            timer = setTimeout(keep, WAIT_MS);
        });
        form.addEventListener("submit", (event) => {
            keep();
            submitting = true;
            sessionStorage.setItem(SUBMITTED, JSON.stringify({key, at: Date.now()}));
            // Another script may stop the submit (a confirmation): then we are still here.
            setTimeout(() => {
                submitting = !event.defaultPrevented;
            });
        });
        window.addEventListener("pagehide", keep);
        window.addEventListener("beforeunload", (event) => {
            if (submitting || (!refused && everything() === opened)) {
                return;
            }
            keep();
            event.preventDefault();
            event.returnValue = ""; // older browsers need it set to show the prompt
        });
    }

    window.addEventListener("load", () => {
        forgetWhatWasSaved();
        const form = document.querySelector("#article_form");
        if (form) {
            setUp(form);
        }
    });
}
