package demo.coll;

import java.util.function.Consumer;

/** Something that can be walked. */
public interface Walkable<E> extends Iterable<E> {
    /** Visits every element. {@code action} must not be null. */
    default void walk(Consumer<? super E> action) {}

    /** Makes an empty walkable. */
    static <T> Walkable<T> empty() { return null; }

    /** Counts the elements. */
    int size();
}
