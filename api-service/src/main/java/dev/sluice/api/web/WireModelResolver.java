package dev.sluice.api.web;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import io.swagger.v3.core.converter.AnnotatedType;
import io.swagger.v3.core.converter.ModelConverter;
import io.swagger.v3.core.converter.ModelConverterContext;
import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.core.jackson.TypeNameResolver;
import io.swagger.v3.core.util.Json31;
import io.swagger.v3.oas.models.media.Schema;
import jakarta.annotation.Nullable;
import java.lang.annotation.Annotation;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Describes the wire types as the api-service writes them: snake_case names (the application's Jackson setting,
 * which swagger's own Jackson 2 mapper does not see), every property present (responses write nulls out), so
 * every property is {@code required} unless its {@code @Schema} says {@code NOT_REQUIRED}, and a property marked
 * {@code @Nullable} may be {@code null}. Free JSON ({@link JsonNode}: metadata, provider bodies) is any value.
 * Schema names are the wire objects' names ({@link WireNames}).
 */
class WireModelResolver extends ModelResolver {

    WireModelResolver() {
        super(Json31.mapper().copy().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE), new WireNames());
        openapi31(true);
    }

    @Override
    public Schema<?> resolve(AnnotatedType type, ModelConverterContext context, Iterator<ModelConverter> chain) {
        JavaType javaType = _mapper.constructType(type.getType());
        if (javaType != null && JsonNode.class.isAssignableFrom(javaType.getRawClass())) {
            // Any JSON value; a property's own @Schema (e.g. metadata's) narrows it.
            return new Schema<>();
        }
        return super.resolve(type, context, chain);
    }

    /**
     * A {@code @Nullable} property that refers to another schema may also be null: {@code anyOf [$ref, null]}
     * (swagger only adds {@code "null"} to the types of inline schemas, and beside a {@code $ref} it would not count).
     */
    @Override
    protected boolean applyBeanValidatorAnnotations(
            BeanPropertyDefinition propDef,
            Schema property,
            Annotation[] annotations,
            Schema parent,
            boolean applyNotNullAnnotations) {
        boolean updated =
                super.applyBeanValidatorAnnotations(propDef, property, annotations, parent, applyNotNullAnnotations);
        if (property != null
                && property.get$ref() != null
                && annotations != null
                && Arrays.stream(annotations).anyMatch(a -> a instanceof Nullable)) {
            String ref = property.get$ref();
            property.set$ref(null);
            property.setAnyOf(List.of(new Schema<>().$ref(ref), new Schema<>().types(Set.of("null"))));
            return true;
        }
        return updated;
    }

    @Override
    protected io.swagger.v3.oas.annotations.media.Schema.RequiredMode resolveRequiredMode(
            io.swagger.v3.oas.annotations.media.Schema schema) {
        io.swagger.v3.oas.annotations.media.Schema.RequiredMode mode = super.resolveRequiredMode(schema);
        return mode == io.swagger.v3.oas.annotations.media.Schema.RequiredMode.AUTO
                ? io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED
                : mode;
    }

    /**
     * {@code BatchView} is {@code Batch}, {@code BatchView.Usage} is {@code BatchUsage}, {@code QueueViews.Queue} is
     * {@code Queue}, {@code ErrorBody} is {@code Error}, {@code ListPage<BatchView>} and {@code QueueViews.Listed} are
     * {@code BatchList} and {@code QueueList}: unique
     * across features (several have a {@code Usage}) and readable in Swagger UI and generated clients.
     */
    static final class WireNames extends TypeNameResolver {

        @Override
        protected String nameForGenericType(JavaType type, Set<Options> options) {
            if (type.getRawClass() == ListPage.class) {
                return nameForType(type.containedType(0), options) + "List";
            }
            return super.nameForGenericType(type, options);
        }

        @Override
        protected String getNameOfClass(Class<?> cls) {
            String name = base(cls);
            Class<?> outer = cls.getEnclosingClass();
            if (outer == null) {
                return name;
            }
            String outerName = base(outer);
            if (name.equals("Listed") || name.equals("Page")) {
                return outerName + "List";
            }
            if (outerName.endsWith(name)) {
                return outerName;
            }
            return name.startsWith(outerName) || name.endsWith(outerName) ? name : outerName + name;
        }

        private static String base(Class<?> cls) {
            String name = cls.getSimpleName();
            for (String suffix : new String[] {"Controller", "Views", "View", "Body"}) {
                if (name.endsWith(suffix) && name.length() > suffix.length()) {
                    return name.substring(0, name.length() - suffix.length());
                }
            }
            return name;
        }
    }
}
