package dev.sluice.api.facade;

import dev.sluice.api.web.ErrorResponse;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.core.annotation.AliasFor;

/**
 * What the three facade calls share in the API description: the {@code X-Sluice-*} and {@code Cache-Control}
 * headers they read and the 504 of a call that waited its longest. Each method names its own bodies.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@Operation(
        parameters = {
            @Parameter(
                    in = ParameterIn.HEADER,
                    name = FacadeController.MAX_WAIT_HEADER,
                    description = "Milliseconds to wait at most (up to sluice.facade.max-wait)"),
            @Parameter(
                    in = ParameterIn.HEADER,
                    name = FacadeController.CANCEL_HEADER,
                    description = "true: on giving up, cancel the job if it has not started"),
            @Parameter(
                    in = ParameterIn.HEADER,
                    name = "Cache-Control",
                    description = "no-cache: skip the response cache")
        })
@ErrorResponse(status = 504, description = "The call waited its longest (X-Sluice-Max-Wait); the message names the job")
@ErrorResponse(
        status = 429,
        description = "The tenant's waiting_facade_calls or queued_jobs quota is full (never for pacing)")
@interface FacadeOperation {

    /** The operation's summary. */
    @AliasFor(annotation = Operation.class)
    String summary();
}
