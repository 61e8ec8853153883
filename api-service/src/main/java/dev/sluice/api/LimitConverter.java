package dev.sluice.api;

import dev.sluice.common.Limit;
import org.springframework.boot.context.properties.ConfigurationPropertiesBinding;
import org.springframework.core.convert.converter.Converter;
import org.springframework.stereotype.Component;

/** Binds {@code N/Ws} text such as {@code SLUICE_DEFAULT_LIMIT=15/60s} to a {@link Limit}, failing the start when malformed. */
@Component
@ConfigurationPropertiesBinding
class LimitConverter implements Converter<String, Limit> {

    @Override
    public Limit convert(String source) {
        return Limit.parse(source);
    }
}
