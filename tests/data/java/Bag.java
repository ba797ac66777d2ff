package demo.coll;

import java.io.Serializable;

/** A bag of things. */
public class Bag<E> extends Base<E> implements Walkable<E>, Serializable {
    /** Creates an empty bag. */
    public Bag() {}

    /** {@inheritDoc} */
    @Override
    public int size() { return 1; }

    /** Adds one element. */
    public boolean add(E e) { return true; }
}
