package dev.sluice.cli;

import java.io.Console;
import java.lang.reflect.Method;

/** Whether a person is at a terminal, which decides between a progress bar and plain lines. */
final class Terminal {

    private Terminal() {}

    /**
     * True when stdin and stdout are a terminal. From Java 22, {@link System#console()} may return a
     * console for redirected streams too, and {@code Console.isTerminal()} tells the difference; the
     * build targets Java 21, where that method does not exist, hence the reflection.
     */
    static boolean isInteractive() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }
}
