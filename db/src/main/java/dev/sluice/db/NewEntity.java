package dev.sluice.db;

import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.PostLoad;
import jakarta.persistence.PostPersist;
import jakarta.persistence.Transient;
import org.springframework.data.domain.Persistable;

/**
 * An entity whose id the caller assigns ({@code tenant_...}, {@code file-...}): built with {@code new}, it is new,
 * so that Spring Data inserts it straight away instead of first selecting it to decide between insert and update.
 *
 * @param <I> the id type
 */
@MappedSuperclass
public abstract class NewEntity<I> implements Persistable<I> {

    @Transient
    private boolean isNew = true;

    @Override
    public boolean isNew() {
        return isNew;
    }

    @PostLoad
    @PostPersist
    void stored() {
        isNew = false;
    }
}
