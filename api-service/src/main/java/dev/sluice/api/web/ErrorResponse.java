package dev.sluice.api.web;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names an error status particular to one operation (409, 504, ...) in the API description, answered with the
 * error object. Unlike swagger's {@code @ApiResponse}, it leaves the success response to be described from the
 * method's return type. It may also sit on a composed annotation. The statuses every operation shares are added by
 * {@link ApiConventions}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Repeatable(ErrorResponse.List.class)
public @interface ErrorResponse {

    /** The HTTP status. */
    int status();

    /** When it is answered. */
    String description();

    /** Several {@link ErrorResponse}s on one method. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
    @interface List {

        /** The statuses. */
        ErrorResponse[] value();
    }
}
