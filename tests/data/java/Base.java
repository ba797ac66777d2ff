package demo.coll;

/** A base with a shared method. */
public abstract class Base<E> {
    /** Returns the element count. */
    public int size() { return 0; }

    /** Helper that subclasses may call. */
    protected void helper() {}

    void packagePrivate() {}
}
