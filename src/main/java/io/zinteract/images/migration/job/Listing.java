package io.zinteract.images.migration.job;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.ArrayList;
import java.util.List;

/** A list in a job report: the first items up to a bound, and the exact total. */
@RegisterForReflection
public class Listing<T> {

    public long total;
    public List<T> items = new ArrayList<>();

    public void add(T item, int bound) {
        total++;
        if (items.size() < bound) {
            items.add(item);
        }
    }
}
