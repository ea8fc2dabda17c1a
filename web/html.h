/*
 * web/html.h - text made safe to put into HTML.
 *
 * The pages build their elements with textContent, which never reads
 * markup; anything the server itself writes into HTML goes through
 * esk_html_escape first, so that a learner named
 * "<script>alert(1)</script>" is shown as those characters.
 */
#ifndef ESK_WEB_HTML_H
#define ESK_WEB_HTML_H

#include <esk/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Escape text for an HTML element's content or a quoted attribute value:
 * & < > " ' become &amp; &lt; &gt; &quot; &#39;; every other byte
 * (UTF-8 included) is kept.
 *
 * @param out  receives a new string, owned by the caller (free());
 *             untouched on failure.
 * @param text borrowed.
 * @return ESK_OK; ESK_EINVAL (NULL); ESK_ENOMEM.
 */
esk_status esk_html_escape(char **out, const char *text);

#ifdef __cplusplus
}
#endif

#endif
