/*
 * The story form as a desk (templates/admin/articles/article/change_form.html):
 * live counts under the headline, the standfirst and the body, and the Schedule… dialog.
 * Without this script the form still works: the counts are missing, and Schedule… takes the
 * publication time typed in the Publishing fieldset.
 */
'use strict';
{
    // Search engines cut longer headlines in their results.
    const HEADLINE_LIMIT = 110;
    const WORDS_PER_MINUTE = 200;

    function counter(field) {
        const row = document.querySelector(`.form-row.field-${field}`);
        const box = row && row.querySelector('.flex-container');
        if (!box) {
            return null;
        }
        const count = document.createElement('div');
        count.className = 'desk-count';
        count.id = `id_${field}_count`;
        count.setAttribute('aria-live', 'polite');
        box.after(count);
        return count;
    }

    function show(count, text) {
        // Only a real change touches the page, which a screen reader then reads out.
        if (count.textContent !== text) {
            count.textContent = text;
        }
    }

    function plural(n, word) {
        return `${n.toLocaleString()} ${word}${n === 1 ? '' : 's'}`;
    }

    function wordsIn(html) {
        // Tags become spaces first, so the last word of a paragraph and the first of the
        // next are two words.
        const spaced = html.replace(/<[^>]*>/g, ' ');
        const text = new DOMParser().parseFromString(spaced, 'text/html').documentElement.textContent;
        return text.split(/\s+/).filter(Boolean).length;
    }

    function bodyHtml() {
        // The body's field, what is saved: the rich-text editor keeps it in sync and fires
        // "input" on every change, toolbar ones included. The editor's own elements hold
        // more than the story (its block-type menu reads "Heading 2 Heading 3 Paragraph").
        const textarea = document.getElementById('id_body');
        return textarea ? textarea.value : '';
    }

    function setUpCounts() {
        const headline = document.getElementById('id_headline');
        const standfirst = document.getElementById('id_standfirst');
        const counts = {
            headline: headline && counter('headline'),
            standfirst: standfirst && counter('standfirst'),
            body: counter('body'),
        };
        function update() {
            if (counts.headline) {
                const n = headline.value.length;
                const over = n > HEADLINE_LIMIT;
                show(counts.headline, over
                    ? `${plural(n, 'character')}: search engines cut headlines after ${HEADLINE_LIMIT}`
                    : `${n.toLocaleString()} of ${HEADLINE_LIMIT} characters`);
                counts.headline.classList.toggle('desk-count--warn', over);
            }
            if (counts.standfirst) {
                show(counts.standfirst, plural(standfirst.value.length, 'character'));
            }
            if (counts.body) {
                const words = wordsIn(bodyHtml());
                const minutes = Math.max(1, Math.ceil(words / WORDS_PER_MINUTE));
                show(counts.body, words
                    ? `${plural(words, 'word')} · about ${minutes} min to read`
                    : '0 words');
            }
        }
        const form = document.getElementById('article_form');
        // Typing bubbles up to the form; a script that sets a field (a restored draft)
        // says so with "change".
        form.addEventListener('input', update);
        form.addEventListener('change', update);
        update();
    }

    function setUpSchedule() {
        const dialog = document.getElementById('desk-schedule');
        const day = document.getElementById('id_published_at_0');
        const time = document.getElementById('id_published_at_1');
        if (!dialog || !day || !time || typeof dialog.showModal !== 'function') {
            return;  // Schedule… then posts the publication time typed in the form.
        }
        const dateInput = document.getElementById('desk-schedule-date');
        const timeInput = document.getElementById('desk-schedule-time');
        const error = document.getElementById('desk-schedule-error');
        const dateFormat = window.get_format('DATE_INPUT_FORMATS')[0];
        const timeFormat = window.get_format('TIME_INPUT_FORMATS')[0];
        const pad = (n) => String(n).padStart(2, '0');

        function open(event) {
            event.preventDefault();
            // Start from the time in the form, if it holds one.
            const typed = day.value ? day.value.strptime(dateFormat) : null;
            dateInput.value = typed && !isNaN(typed)
                ? `${typed.getFullYear()}-${pad(typed.getMonth() + 1)}-${pad(typed.getDate())}`
                : '';
            const hm = /^(\d{1,2}):(\d{2})/.exec(time.value);
            timeInput.value = hm ? `${pad(hm[1])}:${hm[2]}` : '';
            const today = new Date();
            dateInput.min = `${today.getFullYear()}-${pad(today.getMonth() + 1)}-${pad(today.getDate())}`;
            error.hidden = true;
            dialog.showModal();
            dateInput.focus();
        }

        function confirm(event) {
            if (!dateInput.value || !timeInput.value) {
                event.preventDefault();
                error.textContent = 'Choose both the date and the time the story goes live.';
                error.hidden = false;
                (dateInput.value ? timeInput : dateInput).focus();
                return;
            }
            // Into the form's own boxes, in the format they expect: what is posted is what the
            // Publishing fieldset shows, and stays there if the server says no.
            const [y, m, d] = dateInput.value.split('-').map(Number);
            const [hours, minutes] = timeInput.value.split(':').map(Number);
            day.value = new Date(y, m - 1, d).strftime(dateFormat);
            time.value = new Date(y, m - 1, d, hours, minutes).strftime(timeFormat);
        }

        document.querySelectorAll('.desk-schedule-open').forEach((button) => {
            button.addEventListener('click', open);
        });
        dialog.querySelector('.desk-schedule-confirm').addEventListener('click', confirm);
        dialog.addEventListener('input', () => { error.hidden = true; });
        dialog.querySelector('.desk-schedule-cancel').addEventListener('click', () => dialog.close());
    }

    // The text fields follow the story's language: picking Sorani turns the headline, the
    // standfirst and the body editor right to left (the server sets the same on load:
    // ArticleAdminForm._offer_languages).
    function setUpLanguage() {
        const choice = document.getElementById('id_language');
        if (!choice) {
            return;
        }
        const rtl = (choice.dataset.rtlLanguages || '').split(' ');
        choice.addEventListener('change', () => {
            const language = choice.value;
            const dir = rtl.includes(language) ? 'rtl' : 'ltr';
            const fields = document.querySelectorAll(
                '#article_form [dir][lang]:is(input, textarea), #article_form .prose-editor[dir]'
            );
            for (const field of fields) {
                field.setAttribute('lang', language);
                field.setAttribute('dir', dir);
            }
        });
    }

    function ready() {
        if (!document.getElementById('article_form')) {
            return;
        }
        setUpCounts();
        setUpSchedule();
        setUpLanguage();
    }

    if (document.readyState === 'loading') {
        document.addEventListener('DOMContentLoaded', ready);
    } else {
        ready();
    }
}
