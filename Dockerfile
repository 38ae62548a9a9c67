# Sift on Node 20. Build:  docker build -t sift .
# Run:    docker run -d --name sift -p 8787:8787 -v sift-data:/data --env-file sift.env sift
# CLI:    docker exec sift sift doctor
#
# Stage 1 installs everything and compiles the MJML templates (MJML is a build-time tool);
# stage 2 keeps only production dependencies, runs as the unprivileged `node` user and keeps
# all state (database, generated secret, outbox) in the /data volume.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:templates && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8787 \
    SIFT_DATA_DIR=/data
WORKDIR /app
COPY --from=build --chown=root:root /app /app
RUN ln -s /app/bin/sift.mjs /usr/local/bin/sift \
 && mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8787
# SIGTERM lets the job in flight finish (see README "Running on Node"); give it 30 s.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8787)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Not `npm start`: its prestart step compiles templates with MJML, which the image leaves out.
CMD ["node", "--import", "tsx", "src/entry/node.ts"]
