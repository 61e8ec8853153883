package dev.sluice.api.idempotency;

import dev.sluice.api.web.ErrorResponse;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.core.annotation.AliasFor;

/**
 * What a create call that honours {@code Idempotency-Key} shows in the API description: the header and the 409
 * of a key used for another request. Each method names its summary and body.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@Operation(
        parameters =
                @Parameter(
                        in = ParameterIn.HEADER,
                        name = IdempotencyKey.HEADER,
                        description = "The same key and body within 24 h return the first object"))
@ErrorResponse(status = 409, description = "The Idempotency-Key was used for another request")
public @interface IdempotentOperation {

    /** The operation's summary. */
    @AliasFor(annotation = Operation.class)
    String summary();

    /** The operation's request body. */
    @AliasFor(annotation = Operation.class)
    RequestBody requestBody();
}
