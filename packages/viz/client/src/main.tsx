/**
 * Entry of the viewer's browser app. Served by `runtrace viz` it reads the JSON API; inside an
 * exported HTML file it reads the inlined `#runtrace-data` and makes no request.
 */
import { render } from "preact";
import { inlineSource, readInlineData, serverSource } from "./data/source.js";
import { App } from "./ui/app.js";
import "./styles.css";

const inline = readInlineData(document);
const source = inline ? inlineSource(inline) : serverSource();
const mount = document.getElementById("app") ?? document.body.appendChild(document.createElement("div"));
render(<App source={source} />, mount);
