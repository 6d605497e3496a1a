package io.zinteract.images.generation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.faulttolerance.api.CircuitBreakerName;
import io.smallrye.faulttolerance.api.ExponentialBackoff;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.http.HttpClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;

import java.net.URI;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * An OpenAI-compatible images API ({@code POST {base}/v1/images/generations}). The key goes out as a bearer token and
 * nowhere else: it is never logged and never part of an error message.
 */
@ApplicationScoped
public class OpenAiProvider implements ImageProvider {

    private final GenerationConfig config;
    private final ObjectMapper json;
    private final HttpClient client;

    public OpenAiProvider(GenerationConfig config, ObjectMapper json, Vertx vertx) {
        this.config = config;
        this.json = json;
        this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(10_000).setVerifyHost(true));
    }

    @Override
    public String name() {
        return "openai";
    }

    @Override
    public boolean available() {
        return config.apiKey().filter(k -> !k.isBlank()).isPresent();
    }

    @Override
    @Timeout(value = 120, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 3, delay = 1000, jitter = 500, retryOn = { ProviderException.Transient.class, TimeoutException.class })
    @ExponentialBackoff(maxDelay = 15000)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = 30000, successThreshold = 1,
            failOn = { ProviderException.Transient.class, TimeoutException.class })
    @CircuitBreakerName("provider-openai")
    public Uni<ProviderImage> generate(String prompt, String size, String quality) {
        return Uni.createFrom().deferred(() -> {
            URI base = URI.create(config.url().endsWith("/") ? config.url() : config.url() + "/");
            URI endpoint = base.resolve("v1/images/generations");
            boolean https = "https".equalsIgnoreCase(endpoint.getScheme());
            int port = endpoint.getPort() > 0 ? endpoint.getPort() : https ? 443 : 80;
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("model", config.model());
            body.put("prompt", prompt);
            body.put("n", 1);
            body.put("size", size);
            body.put("quality", quality);
            RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(endpoint.getHost())
                    .setPort(port).setSsl(https).setURI(endpoint.getRawPath())
                    .setIdleTimeout(config.timeout().toMillis())
                    .putHeader("Content-Type", "application/json")
                    .putHeader("Authorization", "Bearer " + config.apiKey().orElse(""));
            return client.request(options)
                    .chain(request -> request.send(Buffer.buffer(toJson(body))))
                    .chain(response -> response.body().map(payload -> parse(response.statusCode(), payload)))
                    .onFailure(f -> !(f instanceof ProviderException))
                    .transform(f -> new ProviderException.Transient("provider call failed: " + f.getClass().getSimpleName()));
        });
    }

    private ProviderImage parse(int status, Buffer payload) {
        if (status == 429 || status >= 500) {
            throw new ProviderException.Transient("provider answered HTTP " + status);
        }
        if (status != 200) {
            throw new ProviderException("provider refused the request: HTTP " + status + errorMessage(payload), false);
        }
        try {
            JsonNode first = json.readTree(payload.getBytes()).path("data").path(0);
            if (first.hasNonNull("b64_json")) {
                return ProviderImage.ofBytes(Base64.getMimeDecoder().decode(first.get("b64_json").asText()));
            }
            if (first.hasNonNull("url")) {
                return ProviderImage.ofUrl(first.get("url").asText());
            }
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new ProviderException("provider answer is not the images API's JSON", false);
        }
        throw new ProviderException("provider answer holds neither url nor b64_json", false);
    }

    private String errorMessage(Buffer payload) {
        try {
            String message = json.readTree(payload.getBytes()).path("error").path("message").asText("");
            return message.isEmpty() ? "" : ": " + (message.length() > 300 ? message.substring(0, 300) : message);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private String toJson(Map<String, Object> body) {
        try {
            return json.writeValueAsString(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @PreDestroy
    void close() {
        client.closeAndAwait();
    }
}
