package dev.tollgate.admission.rules;

/**
 * What a rule applies to.
 *
 * @param type the kind of subject
 * @param id   the app id, business unit or cost center; null for {@link SubjectType#DEFAULT}
 */
public record Subject(SubjectType type, String id) {

    @Override
    public String toString() {
        return type == SubjectType.DEFAULT ? type.key() : type.key() + " '" + id + "'";
    }
}
