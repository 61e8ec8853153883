# One Dockerfile for the three runnable jars; docker-compose picks the service with --build-arg SERVICE.
#   docker build --build-arg SERVICE=api-service -t sluice-api .
FROM eclipse-temurin:21-jdk AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
COPY common/pom.xml common/
COPY db/pom.xml db/
COPY test-support/pom.xml test-support/
COPY upstream-simulator/pom.xml upstream-simulator/
COPY api-service/pom.xml api-service/
COPY worker-service/pom.xml worker-service/
COPY e2e-tests/pom.xml e2e-tests/
RUN ./mvnw -q -B dependency:go-offline -DskipTests || true
COPY . .
RUN ./mvnw -q -B -DskipTests package

FROM eclipse-temurin:21-jre
ARG SERVICE
RUN useradd --system --uid 10001 sluice
COPY --from=build /src/${SERVICE}/target/${SERVICE}.jar /app/app.jar
USER sluice
# SLUICE_JAVA_OPTIONS: further JVM options, as bin/sluice-local takes them (docs/operations.md, "JVM options").
ENV SLUICE_JAVA_OPTIONS=""
ENTRYPOINT ["sh", "-c", "exec java -XX:MaxRAMPercentage=75 $SLUICE_JAVA_OPTIONS -jar /app/app.jar \"$@\"", "sluice"]
