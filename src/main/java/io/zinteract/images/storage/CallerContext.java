package io.zinteract.images.storage;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import java.util.concurrent.Executor;

/**
 * Brings the results of SDK calls back to the thread that made them. The aws-crt client completes its futures on its
 * own native threads, whose context class loader is the system one: code continuing there (bean creation, JSON)
 * fails in the packaged application with ClassNotFoundException, and a request would leave its Vert.x context.
 * So results are delivered on the caller's Vert.x context when there is one, else on the worker pool, and always
 * with the application's class loader.
 */
final class CallerContext {

    private static final ClassLoader APPLICATION = CallerContext.class.getClassLoader();

    private CallerContext() {
    }

    static <T> Uni<T> deliverOnCaller(Uni<T> uni) {
        return Uni.createFrom().deferred(() -> {
            Context context = Vertx.currentContext();
            Executor target = context != null
                    ? task -> context.runOnContext(ignored -> task.run())
                    : Infrastructure.getDefaultWorkerPool();
            return uni.emitOn(task -> target.execute(() -> withApplicationClassLoader(task)));
        });
    }

    private static void withApplicationClassLoader(Runnable task) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(APPLICATION);
        try {
            task.run();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
