package dev.sluice.api.file;

import dev.sluice.api.ApiProperties;
import jakarta.servlet.MultipartConfigElement;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * How multipart uploads are received: Tomcat spools every part to a temporary file as it arrives
 * (threshold 0), so a 200 MB upload never sits in the heap, and refuses a request larger than
 * {@code sluice.input.max-file-size} (plus room for the form's other fields) while reading it.
 * Parsing is lazy ({@code spring.servlet.multipart.resolve-lazily}), so only {@code POST /v1/files}
 * ever parses a multipart body.
 */
@Configuration(proxyBeanMethods = false)
class UploadConfiguration {

    /** Room for the multipart boundaries, part headers and the {@code purpose} field. */
    static final long FORM_OVERHEAD_BYTES = 64 * 1024;

    @Bean
    MultipartConfigElement multipartConfigElement(ApiProperties properties) {
        long maxFileSize = properties.input().maxFileSize().toBytes();
        return new MultipartConfigElement("", maxFileSize, maxFileSize + FORM_OVERHEAD_BYTES, 0);
    }
}
