# The API as a container image: docker build -t warehouse-api . && docker run -p 8080:8080 warehouse-api
# (The same image builds without a Docker engine through Jib: mvn package jib:buildTar; see the README.)

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
COPY sql sql
COPY client client
RUN mvn -B -q package -DskipTests

FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 api && useradd --system --uid 10001 --gid api --home-dir /app api \
    && mkdir -p /app/data && chown api:api /app/data
WORKDIR /app
COPY --from=build /src/target/lib /app/lib
COPY --from=build /src/target/warehouse-api.jar /app/warehouse-api.jar
USER 10001:10001
# every setting is an environment variable (see the README's settings table); in a container the server listens
# on all addresses and keeps its DuckDB files on the volume
ENV CAMEL_SERVER_HOST=0.0.0.0 \
    CAMEL_SERVER_PORT=8080 \
    WAREHOUSE_EMBEDDED_SAMPLE_PATH=/app/data/sample.duckdb \
    RESULTS_SPILL_DIRECTORY=/app/data/results.spill \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75"
VOLUME /app/data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["java", "-cp", "/app/warehouse-api.jar", "io.warehouseapi.ops.HealthProbe"]
ENTRYPOINT ["java", "-jar", "/app/warehouse-api.jar"]
