package dev.sluice.worker.alert;

/**
 * Makes a string someone else chose (a tenant's model name, anything from a request) safe inside an alert
 * message for Slack-compatible receivers: {@code &}, {@code <} and {@code >} become the entities Slack reads
 * as plain characters, so {@code <!channel>} or {@code <http://evil|click>} cannot become a mention or a link;
 * the mrkdwn markers {@code * _ ~ `} are followed by a zero-width space, so {@code *bold*} cannot pair up into
 * formatting (the message is also sent with {@code "mrkdwn": false}); and control characters (a newline
 * that would forge a second line) become spaces. JSON quoting is left to the JSON writer.
 */
final class ChatText {

    private static final char ZERO_WIDTH_SPACE = '\u200B';

    private ChatText() {}

    /** {@code value} as literal text in a chat message. */
    static String escape(String value) {
        StringBuilder out = new StringBuilder(value.length() + 16);
        value.codePoints().forEach(c -> {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '*', '_', '~', '`' -> out.append((char) c).append(ZERO_WIDTH_SPACE);
                default -> {
                    if (Character.isISOControl(c)
                            || Character.getType(c) == Character.LINE_SEPARATOR
                            || Character.getType(c) == Character.PARAGRAPH_SEPARATOR) {
                        out.append(' ');
                    } else {
                        out.appendCodePoint(c);
                    }
                }
            }
        });
        return out.toString();
    }
}
