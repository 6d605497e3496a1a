package io.zinteract.images.docs;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import io.zinteract.images.error.Problem;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.media.Content;

/**
 * Every error this service answers is {@code application/problem+json} with the {@link Problem} schema, so endpoints
 * write a 4xx or 5xx {@code @APIResponse} with its description only and this fills in the content, once, when the
 * document is built. Responses that refer to a component, or say their content themselves, are left as they are.
 */
@OpenApiFilter(OpenApiFilter.RunStage.BUILD)
public class ProblemContentFilter implements OASFilter {

    @Override
    public Operation filterOperation(Operation operation) {
        if (operation.getResponses() != null && operation.getResponses().getAPIResponses() != null) {
            operation.getResponses().getAPIResponses().forEach((status, response) -> {
                if (isError(status) && response.getRef() == null && response.getContent() == null) {
                    response.setContent(problem());
                }
            });
        }
        return operation;
    }

    private static boolean isError(String status) {
        return status.length() == 3 && (status.charAt(0) == '4' || status.charAt(0) == '5');
    }

    private static Content problem() {
        return OASFactory.createContent().addMediaType(Problem.MEDIA_TYPE, OASFactory.createMediaType()
                .schema(OASFactory.createSchema().ref(Problem.class.getSimpleName())));
    }
}
